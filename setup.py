"""Builds senim's optional compiled kernel; everything else is declared in pyproject.toml.

The kernel (``src/senim/discovery/_kernel.pyx``) holds compiled twins of the scanner's
hottest per-candidate functions. It is optional: where no C compiler is at hand the build
goes on without it and senim runs its Python references, which give the same output
(``senim.discovery._native``).
"""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [
            Extension(
                "senim.discovery._kernel",
                ["src/senim/discovery/_kernel.pyx"],
                optional=True,
            )
        ],
        compiler_directives={"language_level": "3"},
    )
)
