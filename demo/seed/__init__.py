"""Loading the demonstration's data files (demo/data/) into the database, one module per
part of the data, each writing through the apps' own services where they have one."""
