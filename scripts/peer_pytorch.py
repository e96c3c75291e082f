"""The peer for `npm run bench`: the seed model (Gaussian MLP encoder, Bernoulli MLP decoder,
dropout 0.9, Adam) in PyTorch, timed on the same MNIST batches. Prints one JSON line.

Usage: python3 scripts/peer_pytorch.py --data DIR --dim_z 20 --n_hidden 500 --batch 128 --steps 200 --warmup 20
"""
import argparse
import json
import os
import resource
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F


def load_images(path):
    with open(path, 'rb') as f:
        raw = f.read()
    n = int.from_bytes(raw[4:8], 'big')
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, 784).astype(np.float32) / 255.0


class Vae(nn.Module):
    def __init__(self, dim_z, n_hidden, keep_prob=0.9):
        super().__init__()
        self.e0, self.e1, self.eo = nn.Linear(784, n_hidden), nn.Linear(n_hidden, n_hidden), nn.Linear(n_hidden, 2 * dim_z)
        self.d0, self.d1, self.do = nn.Linear(dim_z, n_hidden), nn.Linear(n_hidden, n_hidden), nn.Linear(n_hidden, 784)
        self.p = 1 - keep_prob
        self.dim_z = dim_z
        for layer in [self.e0, self.e1, self.eo, self.d0, self.d1, self.do]:
            nn.init.kaiming_normal_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        h = F.dropout(F.elu(self.e0(x)), self.p)
        h = F.dropout(torch.tanh(self.e1(h)), self.p)
        params = self.eo(h)
        mu, sigma = params[:, :self.dim_z], 1e-6 + F.softplus(params[:, self.dim_z:])
        z = mu + sigma * torch.randn_like(mu)
        h = F.dropout(torch.tanh(self.d0(z)), self.p)
        h = F.dropout(F.elu(self.d1(h)), self.p)
        y = torch.clamp(torch.sigmoid(self.do(h)), 1e-8, 1 - 1e-8)
        return y, mu, sigma


def loss_fn(x, y, mu, sigma):
    recon = -torch.sum(x * torch.log(y) + (1 - x) * torch.log(1 - y), 1).mean()
    kl = 0.5 * torch.sum(mu ** 2 + sigma ** 2 - torch.log(1e-8 + sigma ** 2) - 1, 1).mean()
    return recon + kl


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--dim_z', type=int, default=20)
    ap.add_argument('--n_hidden', type=int, default=500)
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--steps', type=int, default=200)
    ap.add_argument('--warmup', type=int, default=20)
    ap.add_argument('--threads', type=int, default=None, help="torch's intra-op threads (default: as installed)")
    a = ap.parse_args()
    if a.threads is not None:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    images = torch.from_numpy(load_images(os.path.join(a.data, 'train-images-idx3-ubyte'))[5000:])
    model = Vae(a.dim_z, a.n_hidden)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-8)
    order = torch.randperm(images.shape[0])

    def step(i):
        x = images[order[(i * a.batch) % (images.shape[0] - a.batch):][:a.batch]]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(x, *model(x))
        loss.backward()
        opt.step()
        return loss.item()

    for i in range(a.warmup):
        step(i)
    t0 = time.perf_counter()
    for i in range(a.steps):
        loss = step(a.warmup + i)
    ms = (time.perf_counter() - t0) * 1000 / a.steps
    print(json.dumps({'ms_per_step': ms, 'threads': torch.get_num_threads(), 'loss': loss,
                      'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'torch': torch.__version__}))


if __name__ == '__main__':
    main()
