"""File formats: the criteria template YAML loader, the CSV/Excel table readers, the cell codec."""
