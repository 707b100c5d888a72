"""The one error the SPC package raises for data it cannot chart.

`code` is stable and names what is wrong; `params` fill the message; `row` is the 0-based
position of the offending data row (when there is one) and `field` the column or option. The
Django layer (qms.services.spc) turns these into translated messages naming the CSV line or
the request field.
"""

from __future__ import annotations


class SpcDataError(ValueError):
    def __init__(self, code: str, *, field: str | None = None, row: int | None = None, **params):
        self.code = code
        self.field = field
        self.row = row
        self.params = params
        super().__init__(f"{code}: field={field} row={row} {params}")
