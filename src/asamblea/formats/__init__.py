"""Date and time formats as they are written in Peru (27/11/2026, 18:00), for
every language the site speaks (``FORMAT_MODULE_PATH``). Without these,
Quechua and Aymara, which Django has no formats for, would fall back to the
United States form (Nov. 27, 2026, 6 p.m.)."""
