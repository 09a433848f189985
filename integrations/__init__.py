"""Built-in integrations. Each folder is one integration with a manifest.json, loaded like any plugin."""
