"""Tests of sopcourse.grading."""
