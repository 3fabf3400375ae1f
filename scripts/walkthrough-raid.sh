#!/usr/bin/env bash
# The README's raid walk-through as a script: a raid taken in with one request, extracted with one
# bulk action, and booked on a flight's manifest with another, against `npm start` on :3000 (or $API).
# Needs curl and jq. Run it from the repository root: bash scripts/walkthrough-raid.sh
set -euo pipefail
API=${API:-http://localhost:3000}
CW=$(npm run -s token -- caseworker --office manila --sub ana)
ADMIN=$(npm run -s token -- admin --sub root)
CONSUL=$(npm run -s token -- agency_officer --agency ph-consulate-bkk --sub chen)
j() { curl -sS -H 'Content-Type: application/json' "$@"; }
N=$(date +%s)

# 1. An admin registers the consulate (once; a second time is a 409).
j -X POST $API/v1/agencies -H "Authorization: Bearer $ADMIN" \
  -d '{"id":"ph-consulate-bkk","kind":"consulate","name":"Philippine Embassy Bangkok","country":"TH","city":"Bangkok"}' > /dev/null

# 2. A caseworker registers the raid: three people handed over at once, one case each.
OP=$(j -X POST $API/v1/operations -H "Authorization: Bearer $CW" -H "Idempotency-Key: raid-$N" -d '{
  "name":"Shwe Kokko handover","country":"MM","site":"Shwe Kokko","date":"2026-11-20","consulateId":"ph-consulate-bkk",
  "persons":[
    {"person":{"fullName":"Ana Reyes","nationality":"PH","documents":[{"type":"passport","number":"P'$N'1","issuingCountry":"PH"}]}},
    {"person":{"fullName":"Jomar Cruz","nationality":"PH","documents":[{"type":"passport","number":"P'$N'2","issuingCountry":"PH"}]}},
    {"person":{"fullName":"Liza Bautista","nationality":"PH","documents":[{"type":"passport","number":"P'$N'3","issuingCountry":"PH"}]},"riskFlags":["injured"]}]}' | jq -r .id)
until [ "$(j $API/v1/operations/$OP -H "Authorization: Bearer $CW" | jq -r .status)" = completed ]; do sleep 1; done
j $API/v1/operations/$OP -H "Authorization: Bearer $CW" | jq -c '{status, total, opened, linkedExisting, failed}'
CASES=$(j "$API/v1/cases?operationId=$OP" -H "Authorization: Bearer $CW" | jq -c '[.items[].id]')

# A bulk action: one action, many cases, one workflow; wait for it and show what became of each case.
bulk() {
  local ID
  ID=$(j -X POST $API/v1/operations/$OP/actions -H "Authorization: Bearer $CW" -H "Idempotency-Key: bulk-$N-$2" -d "$1" | jq -r .id)
  until [ "$(j $API/v1/operations/$OP/actions/$ID -H "Authorization: Bearer $CW" | jq -r .status)" = completed ]; do sleep 1; done
  j $API/v1/operations/$OP/actions/$ID -H "Authorization: Bearer $CW" | jq -c '{type, status, total, succeeded, failed}'
}

# 3. One request records the extraction of everyone in the raid; the consulate receives their tasks.
bulk '{"type":"record_extraction","extractedAt":"2026-11-20T03:00:00Z","handedOverTo":"Tak immigration"}' extraction

# 4. The consulate works its inbox, as in the case walk-through.
for CASE in $(echo "$CASES" | jq -r '.[]'); do
  for T in $(j "$API/v1/tasks?caseId=$CASE&status=open" -H "Authorization: Bearer $CONSUL" | jq -r '.items[] | .id + ":" + .type'); do
    ID=${T%%:*}; TYPE=${T#*:}
    case $TYPE in
      verify_nationality)    R='{"verified":true}' ;;
      issue_travel_document) R='{"documentType":"emergency_travel_document","number":"ETD-55120","validUntil":"2027-01-31"}' ;;
      arrange_shelter)       R='{"shelterName":"Mae Sot shelter","from":"2026-11-21"}' ;;
      arrange_medical_check) R='{"fitToTravel":true}' ;;
    esac
    j -X POST $API/v1/tasks/$ID/complete -H "Authorization: Bearer $CONSUL" -d "{\"result\":$R}" > /dev/null
  done
done

# 5. A flight's manifest: book_return with its manifestId for the two listed; the third flies later.
bulk "{\"type\":\"book_return\",\"departureAt\":\"2026-12-02T06:00:00Z\",\"arrivalPort\":\"MNL\",\"flightNumber\":\"PR731\",\"manifestId\":\"PR731-1202\",\"caseIds\":$(echo "$CASES" | jq -c '.[0:2]')}" manifest

# 6. The flight leaves: the departure for every open case of the raid. The one not on the manifest
#    refuses it (invalid_transition) and is listed under "failed"; the others are recorded.
bulk '{"type":"record_departure","departedAt":"2026-12-02T06:10:00Z"}' departure

# 7. Where everyone is, and the raid in the office's list of operations.
for CASE in $(echo "$CASES" | jq -r '.[]'); do
  j $API/v1/cases/$CASE -H "Authorization: Bearer $CW" | jq -c '{reference, stage, manifest: .returnTrip.manifestId}'
done
j "$API/v1/operations?limit=5" -H "Authorization: Bearer $CW" | jq -c '.items[] | {name, status, total}'
