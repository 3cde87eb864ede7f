"""Stories: articles sent, fetched or polled from feeds, grouped into events, each briefed as it grows."""
