"""Import of past meetings and actions from a spreadsheet (URL namespace `imports`).

Empty on purpose: `sheet_reader` runs in a fresh interpreter that must not load Django.
"""
