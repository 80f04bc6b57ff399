"""
The native filters of the paste pipelines, with nova's names.

Each module holds one filter and its C{filter_factory} (named in
C{api-paste.ini}). A filter is a L{base.Filter}: an C{IResource} wrapping the
next part of the pipeline.
"""
