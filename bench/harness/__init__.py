"""sparsec's benchmark harness: layers, cached data, peers, reports (issue 5)."""
