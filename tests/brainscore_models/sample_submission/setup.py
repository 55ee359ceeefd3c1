from setuptools import setup

setup(name="tiny-submission", version="0.1", packages=["models"],
      install_requires=["torch", "numpy"])
