#!/usr/bin/env python3
"""Reads a vae-mnist-ts checkpoint (checkpoint.safetensors) with nothing but the standard library
and NumPy, and decodes latent points with the saved decoder, to show (and test) that our weights
are plain safetensors any reader can use. With the `safetensors` package the first part is
`safetensors.numpy.load_file(path)` (or `safetensors.torch.load_file` for PyTorch tensors).

usage: read_checkpoint.py CHECKPOINT [z1,z2,... ...]   prints the metadata, the tensors, and for
each z the decoded image's 784 Bernoulli means as one JSON line.
"""
import json
import struct
import sys

import numpy as np

DTYPES = {'F32': '<f4', 'U32': '<u4'}


def load(path):
    """The tensors (name -> array) and the metadata (name -> string) of a safetensors file."""
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop('__metadata__', {})
    body = data[8 + n:]
    tensors = {}
    for name, t in header.items():
        begin, end = t['data_offsets']
        tensors[name] = np.frombuffer(body[begin:end], dtype=DTYPES[t['dtype']]).reshape(t['shape'])
    return tensors, metadata


def decode(w, z):
    """The decoder of lib/model.ts: dim_z -> tanh -> ELU -> sigmoid (clipped as the seed does), x @ W + b."""
    elu = lambda a: np.where(a > 0, a, np.expm1(np.minimum(a, 0)))
    h = np.tanh(z @ w['decoder/0/w'] + w['decoder/0/b'])
    h = elu(h @ w['decoder/1/w'] + w['decoder/1/b'])
    logits = h @ w['decoder/out/w'] + w['decoder/out/b']
    return np.clip(1 / (1 + np.exp(-logits)), 1e-8, 1 - 1e-8)


def main():
    tensors, metadata = load(sys.argv[1])
    print(json.dumps({'metadata': metadata, 'tensors': {k: list(v.shape) for k, v in tensors.items()}}))
    for arg in sys.argv[2:]:
        z = np.array([[float(v) for v in arg.split(',')]], dtype=np.float32)
        print(json.dumps([round(float(p), 7) for p in decode(tensors, z)[0]]))


if __name__ == '__main__':
    main()
