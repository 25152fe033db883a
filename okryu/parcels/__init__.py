"""What carrying a parcel costs: distance, size, vehicle and fee (below orders and delivery)."""
