"""Which domain module each public name of ``sopcourse`` comes from.

``sopcourse/__init__.py`` imports a module on the first use of one of its names (PEP 562
``__getattr__``), so ``import sopcourse`` stays cheap. This table is written by
``python -m sopcourse._public_names`` from the ``__all__`` of the modules in
``sopcourse._PUBLIC_MODULES`` (a name in two modules is the later one's), and
``tests/test_architecture.py`` checks that it is up to date.
"""

from __future__ import annotations

_TABLE = "\n#: public name -> the module of ``sopcourse`` that defines it\n"


def modules() -> list[str]:
    """``_PUBLIC_MODULES`` of ``sopcourse/__init__.py``, read from its source (the package
    imports this module, so this module does not import the package)."""
    import ast
    from pathlib import Path

    tree = ast.parse((Path(__file__).parent / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "_PUBLIC_MODULES":
            return list(ast.literal_eval(node.value))
    raise ValueError("sopcourse/__init__.py has no _PUBLIC_MODULES list")


def current() -> dict[str, str]:
    """The table as the modules' ``__all__`` give it now (imports every module)."""
    import importlib

    names: dict[str, str] = {}
    for module in modules():
        for name in getattr(importlib.import_module(f"sopcourse.{module}"), "__all__", []):
            names.pop(name, None)
            names[name] = module
    return names


def write() -> None:
    """Rewrite the table at the end of this file from the modules."""
    from pathlib import Path

    path = Path(__file__)
    text = path.read_text(encoding="utf-8")
    head = text[: text.rindex(_TABLE)]
    rows = "".join(f'    "{name}": "{module}",\n' for name, module in current().items())
    path.write_text(head + _TABLE + "NAMES: dict[str, str] = {\n" + rows + "}\n", encoding="utf-8")


if __name__ == "__main__":
    write()

#: public name -> the module of ``sopcourse`` that defines it
NAMES: dict[str, str] = {
    "use_course_style": "plotting",
    "COLORS": "plotting",
    "waterfall": "plotting",
    "pareto": "plotting",
    "LinearProgram": "solver",
    "LPResult": "solver",
    "InfeasibleModelError": "solver",
    "UnboundedModelError": "solver",
    "available_solvers": "solver",
    "Company": "datasets",
    "load_company": "datasets",
    "generate_company": "datasets",
    "validate_data": "datasets",
    "ValidationReport": "datasets",
    "time_buckets": "horizon",
    "rolling_horizon": "horizon",
    "classify_time_fences": "horizon",
    "check_plan_changes": "horizon",
    "sop_calendar": "horizon",
    "level_production_plan": "horizon",
    "aggregate_sales": "horizon",
    "historical_proportions": "horizon",
    "disaggregate_top_down": "horizon",
    "bottom_up": "horizon",
    "ReconciledPlan": "horizon",
    "middle_out": "horizon",
    "planning_gap": "horizon",
    "plot_planning_gap": "horizon",
    "SOP_STEPS": "horizon",
    "TIME_FENCE_RULES": "horizon",
    "RECONCILIATION_METHODS": "reconciliation",
    "summing_matrix": "reconciliation",
    "mapping_matrix": "reconciliation",
    "reconcile_forecasts": "reconciliation",
    "coherence_gaps": "reconciliation",
    "revenue_plan": "revenue",
    "weighted_pipeline": "revenue",
    "pipeline_by_month": "revenue",
    "calibrate_win_rates": "revenue",
    "gap_to_goal": "revenue",
    "plot_gap_to_goal": "revenue",
    "bass_cumulative": "new_products",
    "bass_curve": "new_products",
    "bass_peak": "new_products",
    "fit_bass": "new_products",
    "like_item_curve": "new_products",
    "cannibalisation": "new_products",
    "ADI_CUTOFF": "intermittent_demand",
    "CV2_CUTOFF": "intermittent_demand",
    "classify_demand": "intermittent_demand",
    "demand_profile": "intermittent_demand",
    "croston_forecast": "intermittent_demand",
    "croston_optimized_forecast": "intermittent_demand",
    "adida_forecast": "intermittent_demand",
    "imapa_forecast": "intermittent_demand",
    "FORECAST_METHODS": "forecasting",
    "forecast_series": "forecasting",
    "one_step_forecasts": "forecasting",
    "MethodChoice": "forecasting",
    "select_method": "forecasting",
    "rolling_origin_backtest": "forecasting",
    "forecast_all": "forecasting",
    "plot_forecast": "forecasting",
    "SIGN_CONVENTION": "accuracy",
    "forecast_error": "accuracy",
    "mae": "accuracy",
    "mse": "accuracy",
    "rmse": "accuracy",
    "mape": "accuracy",
    "smape": "accuracy",
    "wape": "accuracy",
    "mase": "accuracy",
    "forecast_bias": "accuracy",
    "tracking_signal": "accuracy",
    "accuracy_summary": "accuracy",
    "accuracy_by_group": "accuracy",
    "forecast_value_added": "accuracy",
    "plot_fva_stairstep": "accuracy",
    "estimate_promotion_effects": "demand",
    "promotion_overlay": "demand",
    "apply_overlays": "demand",
    "inverse_mae_weights": "demand",
    "consensus_forecast": "demand",
    "ConsensusScenario": "demand",
    "consensus_scenario": "demand",
    "consume_forecast": "demand",
    "available_capacity": "capacity",
    "rccp_overall_factors": "capacity",
    "rccp_bill_of_capacity": "capacity",
    "rccp_resource_profile": "capacity",
    "load_vs_capacity": "capacity",
    "find_bottleneck": "capacity",
    "plot_load_vs_capacity": "capacity",
    "AggregatePlan": "capacity",
    "aggregate_plan": "capacity",
    "compare_aggregate_plans": "capacity",
    "economic_order_quantity": "inventory",
    "economic_production_quantity": "inventory",
    "eoq_with_backorders": "inventory",
    "eoq_quantity_discounts": "inventory",
    "standard_normal_loss": "inventory",
    "lead_time_demand_sd": "inventory",
    "safety_stock": "inventory",
    "fill_rate": "inventory",
    "safety_factor_for_fill_rate": "inventory",
    "reorder_point_policy": "inventory",
    "periodic_review_policy": "inventory",
    "newsvendor": "inventory",
    "abc_xyz_classification": "inventory",
    "InventorySimulation": "inventory",
    "simulate_inventory_policy": "inventory",
    "service_inventory_tradeoff": "inventory",
    "plot_service_tradeoff": "inventory",
    "lognormal_demand": "single_period",
    "newsvendor_expected_cost": "single_period",
    "newsvendor_optimal_quantity": "single_period",
    "newsvendor_expected_profit": "single_period",
    "newsvendor_optimal_profit": "single_period",
    "ScenarioNewsvendorResult": "single_period",
    "scenario_newsvendor": "single_period",
    "ss_policy_cost": "ss_policy",
    "optimal_ss_policy": "ss_policy",
    "ss_power_approximation": "ss_policy",
    "simulate_ss_policy": "ss_policy",
    "gsm_serial": "multi_echelon",
    "gsm_tree": "multi_echelon",
    "tallridge_chain_example": "multi_echelon",
    "master_schedule_record": "mrp",
    "low_level_codes": "mrp",
    "mrp_record": "mrp",
    "lot_for_lot": "mrp",
    "fixed_order_quantity": "mrp",
    "periodic_order_quantity": "mrp",
    "silver_meal": "mrp",
    "wagner_whitin": "mrp",
    "lot_sizing_cost": "mrp",
    "compare_lot_sizing": "mrp",
    "MRPResult": "mrp",
    "run_mrp": "mrp",
    "part_period_balancing": "lot_sizing",
    "least_unit_cost": "lot_sizing",
    "eoq_incremental_discounts": "lot_sizing",
    "MPS_LOT_RULES": "mps",
    "generate_master_schedule": "mps",
    "PlanningInputs": "balancing",
    "BalancingPlan": "balancing",
    "balancing_plan": "balancing",
    "example_planning_inputs": "balancing",
    "ProductMixResult": "optimize",
    "product_mix": "optimize",
    "constraint_analysis": "optimize",
    "throughput_per_constraint_unit": "optimize",
    "toc_product_mix": "optimize",
    "compare_toc_with_lp": "optimize",
    "plot_shadow_prices": "optimize",
    "allocate_fair_share": "allocation",
    "allocate_by_priority": "allocation",
    "allocate_max_profit": "allocation",
    "compare_allocations": "allocation",
    "TransportationResult": "transportation",
    "transportation": "transportation",
    "Change": "scenarios",
    "Scenario": "scenarios",
    "change_demand": "scenarios",
    "change_price": "scenarios",
    "change_capacity": "scenarios",
    "lose_work_centre": "scenarios",
    "add_shift": "scenarios",
    "change_component_cost": "scenarios",
    "run_scenarios": "scenarios",
    "compare_scenarios": "scenarios",
    "plot_scenarios": "scenarios",
    "sensitivity_ranges": "scenarios",
    "capacity_sweep": "scenarios",
    "what_if_mix": "scenarios",
    "mix_changes": "scenarios",
    "traffic_light": "kpi",
    "rate_kpis": "kpi",
    "service_kpis": "kpi",
    "schedule_attainment": "kpi",
    "utilisation": "kpi",
    "working_capital_days": "kpi",
    "working_capital_what_if": "kpi",
    "plot_cash_cycle": "kpi",
    "gross_margin": "kpi",
    "inventory_turns": "kpi",
    "days_of_supply": "kpi",
    "gmroi": "kpi",
    "excess_and_obsolete": "kpi",
    "plot_management_review": "kpi",
    "margin_erosion": "variance",
    "plan_vs_actual": "variance",
    "price_volume_mix": "variance",
    "variance_bridge": "variance",
    "plot_variance_bridge": "variance",
    "bias_table": "variance",
    "plot_bias_heatmap": "variance",
    "tracking_signal_exceptions": "variance",
    "pareto_table": "variance",
    "separate_forecast_and_supply_error": "variance",
    "kpi_definitions": "kpi_review",
    "DEFAULT_TARGETS": "kpi_review",
    "ManagementReview": "kpi_review",
    "review_from_tables": "kpi_review",
    "STEP_TABLES": "case",
    "product_mix_inputs": "case",
    "planning_inputs_from_company": "case",
    "management_review": "case",
    "check_exercise": "selfcheck",
    "CheckResult": "selfcheck",
    "progress": "selfcheck",
    "progress_file": "selfcheck",
    "record_attempt": "selfcheck",
    "ConceptQuestion": "concepts",
    "MatchingQuestion": "concepts",
    "concept_question": "concepts",
    "matching_question": "concepts",
    "CYCLE_STEPS": "cycle",
    "CycleResult": "cycle",
    "run_cycle": "cycle",
}
