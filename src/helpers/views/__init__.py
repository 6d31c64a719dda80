"""What readers see: figures, report text and HTML, the Excel workbook, executed-notebook pages."""
