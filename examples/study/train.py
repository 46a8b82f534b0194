"""Trains one model of the sweep: a score from the data, the learning rate and the seed."""
import argparse
import pathlib

parser = argparse.ArgumentParser()
parser.add_argument("data")
parser.add_argument("--lr", type=float, required=True)
parser.add_argument("--seed", type=int, required=True)
args = parser.parse_args()
data = pathlib.Path(args.data)
numbers = [int(line) for line in (data / "input.txt").read_text().split()]
score = (sum(numbers) * args.lr + args.seed) / len(numbers)
(data / f"score_{args.lr}_{args.seed}.txt").write_text(f"{score:.4f}\n")
print(f"trained lr={args.lr} seed={args.seed}: {score:.4f}")
