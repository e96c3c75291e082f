"""Reference numbers for README (issue #6): the VAE of PyTorch's own example (pytorch/examples,
vae/main.py: 784-400-dim_z encoder with ReLU giving mu and log-variance, dim_z-400-784 ReLU/sigmoid
decoder, summed binary cross-entropy + KL, Adam lr 1e-3, batch 128), written out here and trained on
our split of the same grayscale MNIST IDX files: the 55,000 training images (the first 5,000 are
our validation set), test loss on the 10,000 test images after every epoch, as the example reports it
(summed -ELBO over the test set / 10,000, one z sample per image). Prints one JSON line per epoch.

Usage: /usr/bin/python3 scripts/peer_pytorch_example.py --data DIR --dim_z 20 --epochs 60 [--seed 1]
"""
import argparse
import json
import os
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F


def load_images(path):
    with open(path, 'rb') as f:
        raw = f.read()
    if int.from_bytes(raw[0:4], 'big') != 2051:
        raise SystemExit(f'{path}: not an IDX image file')
    n = int.from_bytes(raw[4:8], 'big')
    return torch.from_numpy(np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, 784).astype(np.float32) / 255.0)


class ExampleVae(nn.Module):
    def __init__(self, dim_z):
        super().__init__()
        self.enc = nn.Linear(784, 400)
        self.enc_mu, self.enc_logvar = nn.Linear(400, dim_z), nn.Linear(400, dim_z)
        self.dec, self.dec_out = nn.Linear(dim_z, 400), nn.Linear(400, 784)

    def forward(self, x):
        h = F.relu(self.enc(x))
        mu, logvar = self.enc_mu(h), self.enc_logvar(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.dec_out(F.relu(self.dec(z)))), mu, logvar


def summed_neg_elbo(y, x, mu, logvar):
    bce = F.binary_cross_entropy(y, x, reduction='sum')
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kl, bce, kl


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--dim_z', type=int, default=20)
    ap.add_argument('--epochs', type=int, default=10)
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    train = load_images(os.path.join(a.data, 'train-images-idx3-ubyte'))[5000:]
    test = load_images(os.path.join(a.data, 't10k-images-idx3-ubyte'))
    model = ExampleVae(a.dim_z)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        model.train()
        order = torch.randperm(train.shape[0])
        train_sum = 0.0
        for i in range(0, train.shape[0], a.batch):  # the example keeps the last, smaller batch
            x = train[order[i:i + a.batch]]
            opt.zero_grad(set_to_none=True)
            y, mu, logvar = model(x)
            loss, _, _ = summed_neg_elbo(y, x, mu, logvar)
            loss.backward()
            train_sum += loss.item()
            opt.step()
        model.eval()
        sums = np.zeros(3)
        with torch.no_grad():
            for i in range(0, test.shape[0], 1000):
                x = test[i:i + 1000]
                y, mu, logvar = model(x)
                sums += [t.item() for t in summed_neg_elbo(y, x, mu, logvar)]
        n = test.shape[0]
        print(json.dumps({'epoch': epoch, 'dim_z': a.dim_z, 'train_loss': train_sum / train.shape[0], 'test_loss': sums[0] / n,
                          'test_recon': sums[1] / n, 'test_kl': sums[2] / n, 'seconds': time.perf_counter() - t0}), flush=True)


if __name__ == '__main__':
    main()
