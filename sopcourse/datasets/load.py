"""Load the Tallridge Cycles company: typed tables from the committed CSVs or a variant.

The data folder is found relative to the package (``datasets/`` beside the ``sopcourse``
package folder: the repository's ``datasets/``), never the working directory.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

import pandas as pd

from .._checks import check_whole_number
from .generate import SEED_HINT, generate
from .schema import SCHEMA, align_vocabularies, coerce_table

__all__ = [
    "Company",
    "load_company",
    "package_data_dir",
    "data_dir",
    "SEED_ENV",
    "write_tables",
    "read_table",
    "coerce_table",
]

SEED_ENV = "SOPCOURSE_DATA_SEED"


def package_data_dir() -> Path:
    """The folder of the committed CSV files (``datasets/`` next to the package).

    Raises
    ------
    FileNotFoundError
        If the folder is missing (the package is installed without the repository).

    Examples
    --------
    >>> package_data_dir().name
    'datasets'
    """
    path = Path(__file__).resolve().parents[2] / "datasets"  # sopcourse/datasets/load.py
    if not (path / "products.csv").is_file():
        raise FileNotFoundError(
            f"The Tallridge Cycles data folder {path} is missing or incomplete. The course "
            "expects the package installed from the repository (`pip install -e .` in the "
            "repository root, as `make lab` does); or pass seed=1.. to generate a variant "
            "in memory, or data_dir= to load a folder of your own."
        )
    return path


@dataclass(repr=False)
class Company:
    """All tables of Tallridge Cycles, one attribute per table (see ``datasets/README.md``).

    ``seed`` is the variant (0: the standard data); ``source`` says where the tables came
    from. Tables a user's own data folder does not supply are ``None``.
    """

    products: pd.DataFrame | None = None
    regions: pd.DataFrame | None = None
    customers: pd.DataFrame | None = None
    sales: pd.DataFrame | None = None
    promotions: pd.DataFrame | None = None
    orders: pd.DataFrame | None = None
    forecast_snapshots: pd.DataFrame | None = None
    pipeline: pd.DataFrame | None = None
    npi: pd.DataFrame | None = None
    targets: pd.DataFrame | None = None
    sales_plan: pd.DataFrame | None = None
    plants: pd.DataFrame | None = None
    work_centres: pd.DataFrame | None = None
    routings: pd.DataFrame | None = None
    items: pd.DataFrame | None = None
    bom: pd.DataFrame | None = None
    inventory: pd.DataFrame | None = None
    scheduled_receipts: pd.DataFrame | None = None
    planning_costs: pd.DataFrame | None = None
    lanes: pd.DataFrame | None = None
    financials: pd.DataFrame | None = None
    budget: pd.DataFrame | None = None
    seed: int | None = 0
    source: str = ""
    #: columns (and tables) your own data left out, derived (:mod:`.minimal`)
    derived: dict[str, list[str]] = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables present, by name, in data-dictionary order."""
        return {n: getattr(self, n) for n in SCHEMA if getattr(self, n) is not None}

    def __repr__(self) -> str:
        variant = "standard data" if self.seed == 0 else f"variant seed={self.seed}"
        title = "Tallridge Cycles"
        if self.seed is None:
            title, variant = "Your company", "your own data"
        lines = [f"{title} ({variant}; {self.source})"]
        for name, df in self.tables.items():
            lines.append(f"  {name:<20} {len(df):>7,} rows  {SCHEMA[name].description}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:  # a readable table in Jupyter
        rows = "".join(
            f"<tr><td><code>{n}</code></td><td style='text-align:right'>{len(df):,}</td>"
            f"<td style='text-align:left'>{SCHEMA[n].description}</td></tr>"
            for n, df in self.tables.items()
        )
        head = self.__repr__().splitlines()[0]
        return (
            f"<p><b>{head}</b></p><table><tr><th>table</th><th>rows</th><th>what</th></tr>"
            f"{rows}</table>"
        )


def _format_column(s: pd.Series, dtype: str) -> pd.Series:
    """Column as text, with a fixed format per type (deterministic CSV)."""
    na = s.isna()
    if dtype == "int":
        txt = s.astype("int64").astype(str) if not na.any() else s.map(lambda v: f"{int(v)}")
    elif dtype == "float":
        txt = s.map(lambda v: f"{v:.4f}")
    elif dtype == "money":
        txt = s.map(lambda v: f"{v:.2f}")
    elif dtype == "month":
        txt = s.map(lambda p: f"{p.year:04d}-{p.month:02d}" if p is not pd.NaT else "")
    elif dtype == "date":
        txt = s.dt.strftime("%Y-%m-%d")
    elif dtype == "bool":
        txt = s.astype(int).astype(str)
    else:
        txt = s.astype(object).map(str)
    txt = txt.astype(object)
    txt[na.to_numpy()] = ""
    return txt


def write_tables(tables: dict[str, pd.DataFrame], folder) -> list[Path]:
    """Write tables as CSV: UTF-8, ``\\n`` line endings, fixed number formats.

    Returns the paths written. The same tables always give the same bytes.

    Examples
    --------
    >>> import tempfile
    >>> from sopcourse.datasets.generate import generate
    >>> with tempfile.TemporaryDirectory() as d:
    ...     paths = write_tables({"plants": generate(0)["plants"]}, d)
    ...     print(paths[0].read_text(encoding="utf-8").splitlines()[0])
    plant,name,country
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tables.items():
        table = SCHEMA[name]
        text = pd.DataFrame({c.name: _format_column(df[c.name], c.dtype) for c in table.columns})
        path = folder / table.file
        text.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        written.append(path)
    return written


def read_table(name: str, folder) -> pd.DataFrame:
    """Read one CSV of the schema from ``folder`` and type it, with the same checks of its
    columns as :func:`sopcourse.datasets.validate_data` (but not of the keys and joins:
    check a folder of your own with ``validate_data``, or load it with ``load_company``).

    Raises
    ------
    ValueError
        Listing every value that does not fit its column (line and column).

    An open category column (``promotions.family`` ...) gets the categories of the table
    that defines it (``products.family``) when that file is in ``folder``.

    Examples
    --------
    >>> read_table("plants", package_data_dir())["plant"].tolist()
    ['P1', 'P2']
    >>> read_table("promotions", package_data_dir())["family"].cat.categories.tolist()[-1]
    'accessories'
    """
    from .validate import read_one_table

    tables = {name: read_one_table(name, folder)}
    for col in SCHEMA[name].columns:
        ref = col.defined_by[0] if col.open else name
        if ref not in tables and (Path(folder) / SCHEMA[ref].file).is_file():
            tables[ref] = read_one_table(ref, folder)
    return align_vocabularies(tables)[name]


def _seed_from_env() -> int:
    raw = os.environ.get(SEED_ENV, "").strip()
    if not raw:
        return 0
    try:
        return int(raw)
    except ValueError:
        raise ValueError(
            f"The environment variable {SEED_ENV} must be an integer (the data variant), "
            f"not {raw!r}; unset it for the standard data."
        ) from None


# The grader's job process: the variant that ``load_company()`` gives, held without its seed
# (see :func:`assign_variant`).
_ASSIGNED: dict = {}


def assign_variant(seed: int) -> None:
    """Grader only: make ``load_company()`` in this process return variant ``seed``.

    The variant is generated now and kept without its number (``company.seed`` is None),
    so code run afterwards in this process gets the variant's data but cannot learn the
    instructor's seed from the environment or the package. The variant's demand model (the
    arrays the planning game's world is built from) is kept beside it, also without the seed.
    """
    company = load_company(seed=int(seed))
    company.seed, company.source = None, "a variant of the data chosen by the grader"
    _ASSIGNED.clear()
    _ASSIGNED["company"] = company
    _ASSIGNED["demand_model"] = _demand_model(int(seed))


def _demand_model(seed: int) -> dict:
    """The generator's demand model of variant ``seed`` as read-only arrays (not its seed):
    what the planning game's world needs beside the tables (:mod:`sopcourse.game.world_data`).
    """
    from .draws import Draws

    draws = Draws(seed)
    model = {"mu": draws.demand(), "disc": draws.disc, "family": draws.family}
    for value in model.values():
        value.setflags(write=False)
    return {**model, "skus": tuple(draws.skus)}


def load_company(
    seed: int | None = None, data_dir: str | os.PathLike | None = None, *, scale: int = 1
) -> Company:
    """Load Tallridge Cycles: every table, typed (months as ``Period[M]``, dates as
    ``Timestamp``, categories as ``category``).

    Parameters
    ----------
    seed : int, optional
        The data variant. ``None`` reads ``$SOPCOURSE_DATA_SEED`` (unset or empty: the
        standard data, seed 0, read from the committed CSV files; the grader sets it to
        switch a submission onto a variant). Any other integer generates that variant in
        memory: same products, plants and structure, other numbers.
    data_dir : path, optional
        Load your own data folder instead (checked first with
        :func:`sopcourse.datasets.validate_data`; a ``ValueError`` lists every problem).
    scale : int
        Tallridge at company scale: ``scale`` variants of every SKU, generated in memory
        (``generate(seed, scale=scale)``; 1, the default, is the company as it is).

    Returns
    -------
    Company
        One attribute per table, plus ``seed`` and ``source``.

    Examples
    --------
    >>> company = load_company(seed=0)
    >>> company.sales[["month", "sku", "region", "shipped_units"]].dtypes.astype(str).tolist()
    ['period[M]', 'str', 'str', 'int64']
    >>> str(company.sales["month"].min()), str(company.sales["month"].max())
    ('2022-01', '2025-12')
    """
    if scale != 1:
        if data_dir is not None:
            raise ValueError("scale= multiplies the Tallridge catalogue, not a data folder.")
        seed = _seed_from_env() if seed is None else seed
        tables = generate(seed, scale=scale)
        return Company(**tables, seed=seed, source=f"generated in memory, {scale}x catalogue")
    if data_dir is not None:
        from .validate import read_folder

        folder = Path(data_dir)
        report, tables = read_folder(folder)  # the checks of `sopcourse data validate`
        if not report.ok:
            raise ValueError(
                f"The data folder {folder} has {len(report.errors)} problem(s); fix them and "
                f"load again (`sopcourse data validate {folder}` lists them too):\n"
                + report.text(warnings=False)
            )
        return Company(**tables, seed=None, source=str(folder), derived=report.derived)
    if seed is None and "company" in _ASSIGNED:
        return copy.deepcopy(_ASSIGNED["company"])
    if seed is None:
        seed = _seed_from_env()
    seed = check_whole_number(seed, "seed", low=0, hint=SEED_HINT)
    if seed == 0:
        folder = package_data_dir()
        from .validate import read_one_table

        tables = align_vocabularies({n: read_one_table(n, folder) for n in SCHEMA})
        return Company(**tables, seed=0, source=str(folder))
    return Company(**generate(seed), seed=seed, source="generated in memory")


data_dir = package_data_dir  # short alias: ``sopcourse.datasets.data_dir()``

assert [f.name for f in fields(Company)][: len(SCHEMA)] == list(SCHEMA)
