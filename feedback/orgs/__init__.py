"""The organisation tree: province department → city → county → service hall."""
