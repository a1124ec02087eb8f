"""Plans and resources: departmental budget lines and the virtual joint budget, the standby roster."""
