"""Code the tests share: paths, tiny models, a fake generator, servers and workers in processes."""
