"""Prepares the study's data: writes 1,000 numbers to <data>/input.txt."""
import pathlib
import sys

data = pathlib.Path(sys.argv[1])
data.mkdir(parents=True, exist_ok=True)
(data / "input.txt").write_text("".join(f"{i}\n" for i in range(1, 1001)))
print("prepared", data / "input.txt")
