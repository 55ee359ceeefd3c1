"""Stimuli, recordings and files: video decoding, stimulus sets, assemblies, declarative data
plugins, verified downloads, mirrors, bring-your-own-files data and Brain-Score (brainio) data."""
