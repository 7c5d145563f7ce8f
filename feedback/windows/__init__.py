"""Service windows and their staff: administration, photos, spreadsheet import."""
