"""The use cases every interface calls (the terminal today, the browser next): rehearse a take
and keep or discard it, recover a take left by a crash, retry and compare, rescore the history.
Imports every layer below it; nothing below imports it.
"""
