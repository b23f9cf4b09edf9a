"""The History page's charts now live in `retrorun.formats.charts`, beside the report that
draws them too; this name is kept so that older imports keep working."""

from retrorun.formats.charts import energy_chart, minutes_chart, pain_load_chart

__all__ = ["energy_chart", "minutes_chart", "pain_load_chart"]
