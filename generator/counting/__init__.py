"""Counting from the change feed: each signature's change of state (new, confirmed, rejected,
gone), in the order the store recorded them, becomes one update per petition and batch,
applied once, with each milestone recorded at the time of the change that reached it."""
