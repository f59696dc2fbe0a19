"""The speed benchmark of the book: `bash bench/run` (see bench/README.md)."""
