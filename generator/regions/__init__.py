"""Where supporters are: a signer's country as an ISO 3166-1 alpha-2 code, their region (an
ISO 3166-2 code) from the postcode by a table shipped here for each country that has one,
and the rule that keeps small groups out of anything published. Pure: no store, no HTTP.

Each country's table is a file in `data/`: `<cc>-postcodes.csv` (postcode ranges to regions;
with one, signers of that country get a region) and, optionally, `<cc>-map.csv` (where each
region's tile sits on the page's map). Adding a country is adding its files.
"""
