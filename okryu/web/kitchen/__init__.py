"""The kitchen screen of a restaurant: what to cook now, big enough to read across the room."""
