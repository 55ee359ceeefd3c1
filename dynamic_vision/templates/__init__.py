"""Scaffolding templates (``dynamic-vision new model NAME``), shipped as package data.

Each sub-folder holds the files of one plugin kind as ``<file>.tmpl``, with ``string.Template``
placeholders: ``$identifier`` (the registered name), ``$package`` (the folder name) and
``$title``.
"""
