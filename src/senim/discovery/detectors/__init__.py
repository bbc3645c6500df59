"""Built-in detectors, one per file, registered through ``senim.discovery._registry``."""
