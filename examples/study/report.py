"""Reports the best model of the sweep."""
import pathlib
import sys

data = pathlib.Path(sys.argv[1])
scores = sorted(((float(p.read_text()), p.stem) for p in data.glob("score_*.txt")), reverse=True)
for score, name in scores:
    print(f"{score:.4f} {name}")
print("best:", scores[0][1])
