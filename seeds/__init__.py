"""Demo data for 桑园南社区 and (later) the scale generator."""
