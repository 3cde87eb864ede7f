"""What operators and clients ask of the service itself: health, metrics and the OpenAPI spec."""
