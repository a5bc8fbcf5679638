"""eval/recognizers"""
