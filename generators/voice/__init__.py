"""generators/voice"""
