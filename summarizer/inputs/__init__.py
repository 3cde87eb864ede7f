"""Reading articles (files, folders, JSON objects) into `Article`s."""

from .articles import MAX_ARTICLE_BYTES, article_from_dict, read_articles, split_title

__all__ = ["MAX_ARTICLE_BYTES", "article_from_dict", "read_articles", "split_title"]
