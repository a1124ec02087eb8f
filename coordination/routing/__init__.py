"""The organisation graph (networkx) and the pure functions that route information over it."""
