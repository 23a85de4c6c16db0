"""Sphinx extension: teach jieba this chapter's terms before the search index is built.

Sphinx's Chinese search (language zh_CN) splits the text into words with
jieba.cut_for_search. jieba's own dictionary lacks several terms of this
chapter: it cuts 互相关 into 互相 + 关 and 汇聚层 into 汇聚 + 层, so a reader
who searches for 互相关 would find nothing (the search page looks the query up
as one whole word). The words in jieba_userdict.txt beside this file are added
to jieba's dictionary; cut_for_search then indexes both the whole term and its
parts (互相关, 互相, 相关).
"""
from pathlib import Path

USERDICT = Path(__file__).with_name("jieba_userdict.txt")


def _load_terms(app):
    if not str(app.config.language or "").startswith("zh"):
        return
    try:
        import jieba
    except ImportError:  # Sphinx then indexes Chinese text poorly; say so
        from sphinx.util import logging

        logging.getLogger(__name__).warning("jieba is not installed: Chinese full-text search will miss words")
        return
    jieba.setLogLevel(60)  # no "Building prefix dict" chatter in the build log
    jieba.load_userdict(str(USERDICT))


def setup(app):
    app.connect("builder-inited", _load_terms)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
