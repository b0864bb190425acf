# Findings, actions and self-evaluations arrive with the self-evaluation issue.
