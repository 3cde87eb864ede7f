"""Reading articles (files, folders, JSON objects) into `Article`s, and clusters of them from JSON Lines."""

from .articles import article_from_dict, read_articles, split_title
from .clusters import ArticleCluster, BadClusterLine, cluster_from_json, iter_cluster_lines, read_clusters

__all__ = [
    "ArticleCluster",
    "BadClusterLine",
    "article_from_dict",
    "cluster_from_json",
    "iter_cluster_lines",
    "read_articles",
    "read_clusters",
    "split_title",
]
