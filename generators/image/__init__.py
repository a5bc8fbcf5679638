"""generators/image"""
