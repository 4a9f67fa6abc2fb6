"""The roles' names (FAB role names), importable by any module without import cycles."""
ADMIN = "Admin"
SECRETARY = "Branch Secretary"
MANAGER = "Grid Manager"
SUPERVISOR = "Supervisor"
VOLUNTEER = "Volunteer"
ROLES = (SECRETARY, MANAGER, SUPERVISOR, VOLUNTEER)
