"""Reference data the package ships (see README.md here); read with importlib.resources."""
