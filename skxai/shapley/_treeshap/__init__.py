"""TreeSHAP engine (private): parsed tree models, path tables, the table and recursion engines, interactions."""
