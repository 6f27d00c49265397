"""Analysis model -> docutils nodes: page renderers and the custom nodes they use."""
