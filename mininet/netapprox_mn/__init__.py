"""The netapprox Mininet launcher (see launch.py)."""
