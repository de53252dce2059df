"""Poll-cost benchmark: this integration against the myjdapi pattern of the most used one."""
