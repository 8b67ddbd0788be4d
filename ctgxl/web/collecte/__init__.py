"""La collecte: campaigns, a private link per contributor, the coordinator's dashboard."""
