"""generators/video"""
