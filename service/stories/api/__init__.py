"""The stories' endpoints: articles in (/v1/articles), feeds (/v1/feeds), stories out (/v1/stories)."""
